package dev.aios.kernel.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The kernel reads every instant it reads as Jackson's own reader of instants did, faster or not. */
class IsoInstantsTest {
    /** The kernel's mapper with Jackson's reader of instants alone, as it was. */
    private static final ObjectMapper JACKSON = Json.withJacksonsInstants().build();

    private static String readBy(ObjectMapper mapper, String json) {
        try {
            return "read " + mapper.readValue(json, Instant.class);
        } catch (Exception e) {
            return "refused: " + e.getClass().getSimpleName();
        }
    }

    @Test
    void everyInstantWrittenByToStringIsReadBackExactly() {
        var random = new SplittableRandom(7);
        long earliest = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
        long latest = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        for (int i = 0; i < 200_000; i++) {
            long second = random.nextLong(earliest, latest + 1);
            int nanos =
                    switch (i % 4) {
                        case 0 -> 0;
                        case 1 -> random.nextInt(1000) * 1_000_000;
                        case 2 -> random.nextInt(1_000_000) * 1000;
                        default -> random.nextInt(1_000_000_000);
                    };
            var instant = Instant.ofEpochSecond(second, nanos);
            assertThat(IsoInstants.parseOrNull(instant.toString())).isEqualTo(instant);
        }
    }

    @Test
    void anyTextIsReadAsJacksonReadsItOrRefusedAsItRefusesIt() throws Exception {
        var texts = new ArrayList<>(List.of(
                "2026-12-04T20:50:30Z",
                "2026-12-04T20:50:30.767Z",
                "2026-12-04T20:50:30.7Z",
                "2026-12-04T20:50:30.76Z",
                "2026-12-04T20:50:30.7671Z",
                "2026-12-04T20:50:30.76712Z",
                "2026-12-04T20:50:30.7671234Z",
                "2026-12-04T20:50:30.76712345Z",
                "2026-12-04T20:50:30.767123456Z",
                "2024-02-29T23:59:59.999999999Z",
                "1970-01-01T00:00:00Z",
                "0000-01-01T00:00:00Z",
                "2026-02-29T00:00:00Z",
                "2026-02-30T00:00:00Z",
                "2026-13-01T00:00:00Z",
                "2026-12-32T00:00:00Z",
                "2026-12-04T24:00:00Z",
                "2026-12-04T23:60:00Z",
                "2026-12-04T23:59:60Z",
                "2026-12-04T20:50:30.Z",
                "2026-12-04T20:50:30.1234567890Z",
                "2026-12-04T20:50:30z",
                "2026-12-04t20:50:30Z",
                "2026-12-04T20:50:30+01:00",
                "2026-12-04T20:50:30.5-05:30",
                "2026-12-04 20:50:30Z",
                "2026-12-04T20:50Z",
                "+10000-01-01T00:00:00Z",
                "-0001-01-01T00:00:00Z",
                "2026-1a-04T20:50:30Z",
                "２026-12-04T20:50:30Z",
                "",
                "now"));
        var jsons = new ArrayList<String>();
        for (var text : texts) {
            jsons.add("\"" + text + "\"");
        }
        jsons.addAll(List.of("1733345430", "1733345430.767", "-1", "null", "[]", "{}", "true"));
        for (var json : jsons) {
            assertThat(readBy(Json.mapper(), json)).as(json).isEqualTo(readBy(JACKSON, json));
        }
        assertThat(readBy(Json.mapper(), "\"2026-12-04T20:50:30.767Z\"")).isEqualTo("read 2026-12-04T20:50:30.767Z");
    }

    @Test
    void theKernelsMapperReadsInstantsThroughTheFastReader() throws Exception {
        var context = ((com.fasterxml.jackson.databind.deser.DefaultDeserializationContext)
                        Json.mapper().getDeserializationContext())
                .createDummyInstance(Json.mapper().getDeserializationConfig());
        assertThat(context.findRootValueDeserializer(context.constructType(Instant.class)))
                .isInstanceOf(IsoInstants.Deserializer.class);
    }
}
