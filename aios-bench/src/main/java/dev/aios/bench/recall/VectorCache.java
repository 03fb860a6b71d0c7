package dev.aios.bench.recall;

import dev.aios.memory.spi.Embedder;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The real model, with the vectors of stored texts kept in a file of the bench's cache, so that a
 * second run does not spend minutes embedding the same corpus again. Queries always go to the model
 * ({@link #storing(boolean)} off), so that recall latency includes embedding the query.
 */
final class VectorCache implements Embedder {
    private final Embedder model;
    private final Path file;
    private final Map<String, float[]> vectors = new HashMap<>();
    private volatile boolean storing = true;
    private int fromCache;

    VectorCache(Embedder model, Path file) {
        this.model = model;
        this.file = file;
        if (Files.exists(file)) {
            try (var in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
                while (true) {
                    String key = in.readUTF();
                    var vector = new float[in.readInt()];
                    for (int i = 0; i < vector.length; i++) {
                        vector[i] = in.readFloat();
                    }
                    vectors.put(key, vector);
                }
            } catch (EOFException end) {
                // the whole file is read; a record cut short by a crash is dropped and embedded again
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the vector cache " + file + ": " + e.getMessage(), e);
            }
        }
    }

    /** Whether texts embedded now are stored texts (cached) or queries (always the model). */
    void storing(boolean storing) {
        this.storing = storing;
    }

    /** How many stored texts came from the cache instead of the model. */
    synchronized int fromCache() {
        return fromCache;
    }

    @Override
    public String model() {
        return model.model();
    }

    @Override
    public List<float[]> embed(List<String> texts) {
        if (!storing) {
            return model.embed(texts);
        }
        var result = new float[texts.size()][];
        var missing = new ArrayList<Integer>();
        synchronized (this) {
            for (int i = 0; i < texts.size(); i++) {
                result[i] = vectors.get(key(texts.get(i)));
                if (result[i] == null) {
                    missing.add(i);
                } else {
                    fromCache++;
                }
            }
        }
        if (!missing.isEmpty()) {
            var embedded = model.embed(missing.stream().map(texts::get).toList());
            synchronized (this) {
                try (var out = new DataOutputStream(new java.io.BufferedOutputStream(
                        Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)))) {
                    for (int j = 0; j < missing.size(); j++) {
                        int i = missing.get(j);
                        result[i] = embedded.get(j);
                        String key = key(texts.get(i));
                        vectors.put(key, result[i]);
                        out.writeUTF(key);
                        out.writeInt(result[i].length);
                        for (float f : result[i]) {
                            out.writeFloat(f);
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot write the vector cache " + file + ": " + e.getMessage(), e);
                }
            }
        }
        return List.of(result);
    }

    private static String key(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
