/**
 * vcnn as a library: the one stable API of the engine. {@link dev.vcnn.engine.api.Classifier} builds a
 * network from a spec, trains it on {@code float[]} images and {@code int} labels with
 * {@link dev.vcnn.engine.api.TrainingOptions} and a {@link dev.vcnn.engine.api.TrainingProgress}
 * listener, evaluates it to a {@link dev.vcnn.engine.api.Score}, predicts single images, and saves and
 * loads numpy {@code .npz} model files (the same files as {@code vcnn train --save}).
 *
 * <p>Run the program with {@code --add-modules=jdk.incubator.vector} for the Vector API kernels;
 * without it the scalar kernels run, after one warning line on standard error. Every other package
 * of the engine is internal to the vcnn command line and may change without notice.
 */
package dev.vcnn.engine.api;
