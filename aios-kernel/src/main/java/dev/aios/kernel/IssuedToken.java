package dev.aios.kernel;

/**
 * A token just created: the only moment its secret is known, since only a hash of it is stored.
 *
 * @param info the token as it will be listed
 * @param secret what a client sends as {@code Authorization: Bearer <secret>}
 */
public record IssuedToken(TokenInfo info, String secret) {
    @Override
    public String toString() {
        return "IssuedToken[" + info.name() + "]";
    }
}
