import java.util.Collections;
import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Plain (heavy-ball) momentum SGD as torch.optim.SGD(lr, momentum): v = momentum * v + g; p -= lr * v.
 * DL4J 1.0.0-M2.1 ships only Sgd (no momentum) and Nesterovs, so this small IUpdater fills the gap.
 * (DL4J's step function subtracts what applyUpdater leaves in the gradient array.)
 */
public final class Momentum implements IUpdater {
    private double learningRate;
    private double momentum;

    public Momentum() { this(0.01, 0.9); }

    public Momentum(double learningRate, double momentum) {
        this.learningRate = learningRate;
        this.momentum = momentum;
    }

    public double getLearningRate() { return learningRate; }
    public double getMomentum() { return momentum; }
    public void setLearningRate(double lr) { this.learningRate = lr; }
    public void setMomentum(double m) { this.momentum = m; }

    @Override public long stateSize(long numParams) { return numParams; }

    @Override public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        Updater u = new Updater(this);
        u.setStateViewArray(viewArray, viewArray.shape(), viewArray.ordering(), initializeViewArray);
        return u;
    }

    @Override public GradientUpdater instantiate(Map<String, INDArray> state, boolean initialize) {
        Updater u = new Updater(this);
        u.setState(state, initialize);
        return u;
    }

    @Override public boolean equals(Object o) {
        return o instanceof Momentum m && m.learningRate == learningRate && m.momentum == momentum;
    }

    @Override public int hashCode() { return Double.hashCode(learningRate) * 31 + Double.hashCode(momentum); }

    @Override public Momentum clone() { return new Momentum(learningRate, momentum); }

    @Override public double getLearningRate(int iteration, int epoch) { return learningRate; }

    @Override public boolean hasLearningRate() { return true; }

    @Override public void setLrAndSchedule(double lr, ISchedule schedule) {
        if (schedule != null) throw new UnsupportedOperationException("no schedules");
        this.learningRate = lr;
    }

    static final class Updater implements GradientUpdater<Momentum> {
        private final Momentum config;
        private INDArray v;

        Updater(Momentum config) { this.config = config; }

        @Override public Momentum getConfig() { return config; }

        @Override public void setState(Map<String, INDArray> state, boolean initialize) {
            v = state.get("V");
            if (initialize) v.assign(0);
        }

        @Override public Map<String, INDArray> getState() { return Collections.singletonMap("V", v); }

        @Override public void setStateViewArray(INDArray view, long[] gradientShape, char order, boolean initialize) {
            if (initialize) view.assign(0);
            v = view.reshape(order, gradientShape);
        }

        @Override public void applyUpdater(INDArray gradient, int iteration, int epoch) {
            v.muli(config.momentum).addi(gradient);       // v = mu v + g
            gradient.assign(v).muli(config.learningRate); // the step subtracts lr v
        }
    }
}
