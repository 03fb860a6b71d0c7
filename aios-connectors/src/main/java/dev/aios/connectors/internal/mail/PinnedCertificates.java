package dev.aios.connectors.internal.mail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Server certificates the operator trusts explicitly, from a PEM file: a mail server whose
 * certificate no authority signed (a self-signed one on a small server) is reached over TLS only
 * when it shows exactly one of them, and not when it shows any other, whoever signed it.
 */
final class PinnedCertificates {
    private PinnedCertificates() {}

    /**
     * The {@code certificate} setting of a mail server's section {@code path}.
     *
     * @param clear whether the server is reached without TLS, where a certificate means nothing
     * @throws IllegalArgumentException when it is given without TLS, or beside {@code trust}
     */
    static Optional<Path> setting(JsonNode node, String path, boolean clear) {
        var value = node.get("certificate");
        if (value == null || value.isNull() || value.asText().isBlank()) {
            return Optional.empty();
        }
        if (clear) {
            throw new IllegalArgumentException(
                    path + ".certificate: a certificate is only used over TLS; set security: tls or starttls");
        }
        if (node.hasNonNull("trust")) {
            throw new IllegalArgumentException(path + ": give either trust (hosts trusted without checking their"
                    + " certificate) or certificate (the one certificate trusted), not both");
        }
        return Optional.of(Path.of(value.asText()));
    }

    /** Trusts exactly the certificates in {@code pem} on the connections of {@code protocol}. */
    static void use(Path pem, String setting, String protocol, java.util.Properties props) {
        props.put("mail." + protocol + ".ssl.socketFactory", socketFactory(pem, setting));
        // The exact certificate is trusted, so the name it was issued for does not matter.
        props.put("mail." + protocol + ".ssl.checkserveridentity", "false");
        // Not "try the usual trust after all" when the pinned certificate is not the one shown.
        props.put("mail." + protocol + ".socketFactory.fallback", "false");
    }

    /** Whether {@code e} comes from a certificate the connection did not trust. */
    static boolean untrusted(Throwable e) {
        for (var cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof CertificateException || cause instanceof javax.net.ssl.SSLHandshakeException) {
                return true;
            }
        }
        return false;
    }

    /** The message of the innermost cause of {@code e}. */
    static String rootMessage(Throwable e) {
        var root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage();
    }

    /**
     * Sockets that trust exactly the certificates in {@code pem}.
     *
     * @param setting the setting that named the file, for messages
     * @throws IllegalArgumentException when the file cannot be read or holds no certificate
     */
    static SSLSocketFactory socketFactory(Path pem, String setting) {
        List<X509Certificate> trusted;
        try (InputStream in = Files.newInputStream(pem)) {
            trusted = CertificateFactory.getInstance("X.509").generateCertificates(in).stream()
                    .map(X509Certificate.class::cast)
                    .toList();
        } catch (IOException | CertificateException e) {
            throw new IllegalArgumentException(
                    setting + ": cannot read the certificate file " + pem + " (" + e.getMessage()
                            + "); give the server's certificate as a PEM file, as 'openssl s_client -showcerts'"
                            + " prints it",
                    e);
        }
        if (trusted.isEmpty()) {
            throw new IllegalArgumentException(setting + ": " + pem + " holds no certificate; give the server's"
                    + " certificate as a PEM file (-----BEGIN CERTIFICATE----- ...)");
        }
        try {
            var context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new Pinned(trusted, pem)}, null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS is not available in this Java runtime: " + e.getMessage(), e);
        }
    }

    /** Trusts a server that shows one of the certificates, while it is valid. */
    private record Pinned(List<X509Certificate> trusted, Path file) implements X509TrustManager {
        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("the server showed no certificate");
            }
            var shown = chain[0];
            if (!trusted.contains(shown)) {
                throw new CertificateException("the server's certificate (" + shown.getSubjectX500Principal()
                        + ", SHA-256 " + fingerprint(shown) + ") is not the one trusted in " + file);
            }
            shown.checkValidity();
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("aios does not take client connections here");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return trusted.toArray(X509Certificate[]::new);
        }

        private static String fingerprint(X509Certificate certificate) {
            try {
                return HexFormat.ofDelimiter(":")
                        .formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
            } catch (GeneralSecurityException e) {
                return "unknown";
            }
        }
    }
}
