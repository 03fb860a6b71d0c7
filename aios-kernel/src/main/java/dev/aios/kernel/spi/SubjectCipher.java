package dev.aios.kernel.spi;

/**
 * Encryption with one key per subject (AES-GCM). Forgetting a subject destroys its key, so every
 * payload sealed for it becomes unreadable everywhere at once.
 */
public interface SubjectCipher {

    /** Seals {@code plain} for {@code subject}; a subject of "" is not about anyone and stays plain. */
    byte[] seal(String subject, byte[] plain);

    /**
     * Opens what {@link #seal} made.
     *
     * @throws ForgottenException when the subject was forgotten
     */
    byte[] open(String subject, byte[] sealed);

    /** Whether {@code subject} was forgotten (and nothing new was sealed for it since). */
    boolean isForgotten(String subject);

    /** Thrown when data about a forgotten subject is opened. */
    final class ForgottenException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public ForgottenException(String subject) {
            super("the data about subject '" + subject + "' was forgotten");
        }
    }
}
