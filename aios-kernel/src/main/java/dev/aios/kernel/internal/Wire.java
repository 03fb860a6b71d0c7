package dev.aios.kernel.internal;

import dev.aios.kernel.InvalidInputException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Wire names of enums: the constant's name in lower case with dashes ({@code DEAD_LETTER} is
 * {@code dead-letter}), unless the enum names its constants itself ({@link Named}). What is stored
 * and sent is the wire name, never the Java name.
 */
public final class Wire {

    /** An enum whose constants carry wire names of their own, where the convention does not fit. */
    public interface Named {
        /** The constant's wire name. */
        String wire();
    }

    private static final ClassValue<Map<String, Enum<?>>> BY_WIRE = new ClassValue<>() {
        @Override
        protected Map<String, Enum<?>> computeValue(Class<?> type) {
            var map = new LinkedHashMap<String, Enum<?>>();
            for (Object constant : type.getEnumConstants()) {
                var e = (Enum<?>) constant;
                map.put(name(e), e);
            }
            return Map.copyOf(map);
        }
    };

    private Wire() {}

    /** The wire name of {@code constant}. */
    public static String name(Enum<?> constant) {
        if (constant instanceof Named named) {
            return named.wire();
        }
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The constant of {@code type} named {@code wire}.
     *
     * @param what what the value is, for the error, e.g. {@code task kind}
     * @throws InvalidInputException when no constant has that wire name
     */
    public static <E extends Enum<E>> E parse(Class<E> type, String wire, String what) {
        var found = BY_WIRE.get(type).get(wire);
        if (found == null) {
            throw new InvalidInputException("unknown " + what + " '" + wire + "'; use one of "
                    + String.join(
                            ", ",
                            Arrays.stream(type.getEnumConstants())
                                    .map(Wire::name)
                                    .toList()));
        }
        return type.cast(found);
    }
}
