package dev.aios.memory.internal;

/** Vector arithmetic the index relies on. */
public final class Vectors {
    private Vectors() {}

    /** {@code vector} scaled to length 1, as the index's dot-product similarity requires. */
    public static float[] unit(float[] vector) {
        double norm = 0;
        for (float v : vector) {
            norm += v * v;
        }
        norm = Math.sqrt(norm);
        if (norm == 0) {
            var copy = vector.clone();
            copy[0] = 1;
            return copy;
        }
        var unit = new float[vector.length];
        for (int i = 0; i < vector.length; i++) {
            unit[i] = (float) (vector[i] / norm);
        }
        return unit;
    }

    /** The dot product of two vectors of equal length. */
    public static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }
}
