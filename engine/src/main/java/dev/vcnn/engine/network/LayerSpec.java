package dev.vcnn.engine.network;

/** One token of a {@link NetworkSpec}: what a layer is, before it has shapes or parameters. */
public sealed interface LayerSpec {

    /** The token as a spec writes it, e.g. {@code conv3x3:8:nobias}. */
    String token();

    /** {@code conv3x3:N} (with a bias per filter) or {@code conv3x3:N:nobias}. */
    record Conv3x3(int filters, boolean bias) implements LayerSpec {
        @Override
        public String token() {
            return "conv3x3:" + filters + (bias ? "" : ":nobias");
        }
    }

    /** {@code relu}. */
    record Relu() implements LayerSpec {
        @Override
        public String token() {
            return "relu";
        }
    }

    /** {@code maxpool2}: 2x2 windows, stride 2. */
    record MaxPool2() implements LayerSpec {
        @Override
        public String token() {
            return "maxpool2";
        }
    }

    /** {@code dense:N}, N outputs with a bias. */
    record Dense(int outputs) implements LayerSpec {
        @Override
        public String token() {
            return "dense:" + outputs;
        }
    }
}
