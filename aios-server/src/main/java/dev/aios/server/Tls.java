package dev.aios.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The certificate chain and private key aios serves HTTPS with, read from PEM files as most
 * certificate authorities and {@code certbot} write them: {@code fullchain.pem} and an unencrypted
 * PKCS#8 {@code privkey.pem} (RSA, EC or Ed25519).
 *
 * @param certificate the PEM file of the certificate, followed by its intermediates
 * @param key the PEM file of the private key ({@code BEGIN PRIVATE KEY})
 */
public record Tls(Path certificate, Path key) {
    private static final Pattern PRIVATE_KEY =
            Pattern.compile("-----BEGIN PRIVATE KEY-----(.*?)-----END PRIVATE KEY-----", Pattern.DOTALL);

    public Tls {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(key, "key");
    }

    /** The pair as an in-memory key store with one entry, protected by {@code password}. */
    KeyStore keyStore(char[] password) {
        var chain = certificates();
        var privateKey = privateKey(chain[0].getPublicKey().getAlgorithm());
        try {
            var store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("aios", privateKey, password, chain);
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(
                    "the TLS key in " + key + " does not go with the certificate in " + certificate + ": "
                            + e.getMessage(),
                    e);
        }
    }

    private Certificate[] certificates() {
        try (var in = Files.newInputStream(certificate)) {
            var chain = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("no certificate in " + certificate
                        + "; it must hold PEM blocks that begin with -----BEGIN CERTIFICATE-----");
            }
            return chain.toArray(Certificate[]::new);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the TLS certificate " + certificate + ": " + e, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "the TLS certificate " + certificate + " is not a PEM certificate: " + e.getMessage(), e);
        }
    }

    private PrivateKey privateKey(String algorithm) {
        String text;
        try {
            text = Files.readString(key, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the TLS key " + key + ": " + e, e);
        }
        var block = PRIVATE_KEY.matcher(text);
        if (!block.find()) {
            throw new IllegalArgumentException("the TLS key " + key + " must be an unencrypted PKCS#8 PEM key"
                    + " (-----BEGIN PRIVATE KEY-----); convert it with"
                    + " 'openssl pkcs8 -topk8 -nocrypt -in OLD -out " + key.getFileName() + "'");
        }
        try {
            var der = Base64.getMimeDecoder().decode(block.group(1).getBytes(StandardCharsets.US_ASCII));
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "the TLS key " + key + " is not a " + algorithm + " key that goes with the certificate "
                            + certificate + ": " + e.getMessage(),
                    e);
        }
    }
}
