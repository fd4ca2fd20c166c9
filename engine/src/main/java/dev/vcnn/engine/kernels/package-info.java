/**
 * The numeric kernels every layer runs on: the plain-loop reference ({@code ScalarKernels}) and the Vector API implementation ({@code VectorKernels} and its families), chosen once per JVM by {@code KernelSelection}.
 *
 * <p><b>Internal:</b> used by the vcnn command line; not a stable API. Programs that embed vcnn use {@link dev.vcnn.engine.api}.
 */
package dev.vcnn.engine.kernels;
