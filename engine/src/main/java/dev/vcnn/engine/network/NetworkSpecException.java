package dev.vcnn.engine.network;

/** A network spec that names no network vcnn can build; the message is one sentence naming the token. */
public final class NetworkSpecException extends IllegalArgumentException {
    @java.io.Serial
    private static final long serialVersionUID = 1L;

    public NetworkSpecException(String message) {
        super(message);
    }
}
