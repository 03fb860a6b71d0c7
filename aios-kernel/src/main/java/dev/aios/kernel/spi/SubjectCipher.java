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

    /**
     * The keyed pseudonym that replaces {@code subject}'s name wherever it is kept once the subject is
     * forgotten ({@code forgotten:} and hex digits): extensions that keep the name beside sealed data
     * replace it with this when they hear the subject was forgotten. The same name always gives the
     * same pseudonym; without the master key it cannot be traced back.
     */
    String pseudonym(String subject);

    /** Thrown when data about a forgotten subject is opened. */
    final class ForgottenException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public ForgottenException(String subject) {
            super("the data about subject '" + subject + "' was forgotten");
        }
    }
}
