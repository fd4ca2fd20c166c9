/**
 * Model files: a network's parameters, momentum velocities and JSON metadata as a numpy {@code .npz} archive that {@code numpy.load} opens, saved atomically and loaded with every array checked.
 *
 * <p><b>Internal:</b> used by the vcnn command line; not a stable API. Programs that embed vcnn use {@link dev.vcnn.engine.api}.
 */
package dev.vcnn.engine.model;
