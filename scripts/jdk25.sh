# Sourced by ./vcnn and bench/report: finds a JDK 25 and (re)builds a module's jar when it is
# missing or older than the sources. Expects $root (the checkout) to be set by the caller.

required_java=25

# sets java_feature to the feature version of a java binary (25 for "25.0.3"), or to nothing if it
# does not run. A JDK's release file answers without starting a JVM (0.1 s each, several candidates
# per launch); it is read with shell built-ins and the answer comes back in a variable, not through
# $( ), because every subshell or process costs a few milliseconds (ten of them were 60 ms a launch)
java_feature_of() {
    local release="${1%/bin/java}/release" line
    java_feature=
    if [ ! -f "$release" ]; then
        # a link such as /usr/bin/java: the release file is beside the java it points to
        release="$(readlink -f "$1")"
        release="${release%/bin/*}/release"
    fi
    if [ -f "$release" ]; then
        while IFS= read -r line; do
            case "$line" in
                JAVA_VERSION=\"*)
                    line="${line#JAVA_VERSION=\"}"
                    java_feature="${line%%[!0-9]*}"
                    return 0
                    ;;
            esac
        done < "$release"
    else
        java_feature="$("$1" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -n 1)"
    fi
}

# sets java to the path of a java 25 binary; fails with a message saying what to install
find_java25() {
    local candidate dir path_java=
    local IFS=:
    for dir in $PATH; do
        if [ -n "$dir" ] && [ -x "$dir/java" ]; then
            path_java="$dir/java"
            break
        fi
    done
    IFS=$' \t\n'
    for candidate in \
        "${JAVA_HOME:+$JAVA_HOME/bin/java}" \
        "$path_java" \
        /usr/lib/jvm/*/bin/java \
        /usr/java/*/bin/java \
        /opt/java/*/bin/java \
        /opt/*/bin/java \
        "$HOME"/.sdkman/candidates/java/*/bin/java \
        "$HOME"/.jdks/*/bin/java \
        /Library/Java/JavaVirtualMachines/*/Contents/Home/bin/java; do
        if [ -n "$candidate" ] && [ -x "$candidate" ]; then
            java_feature_of "$candidate"
            if [ "$java_feature" = "$required_java" ]; then
                java="$candidate"
                return 0
            fi
        fi
    done
    echo "vcnn: needs a JDK $required_java and found none (looked at JAVA_HOME, java on PATH, /usr/lib/jvm, /usr/java, /opt, ~/.sdkman, ~/.jdks)." >&2
    echo "vcnn: install one (e.g. Eclipse Temurin $required_java, or your system's openjdk-$required_java-jdk package) or point JAVA_HOME at it." >&2
    return 1
}

# ensure_built JAVA JAR MODULE: builds MODULE (and the engine it needs, tests skipped) when JAR is
# missing or a pom or main source it is made from is newer (another module's edits do not count)
ensure_built() {
    local java="$1" jar="$2" module="$3" java_home="${1%/bin/java}" log
    if [ -f "$jar" ] && [ -z "$(find "$root/pom.xml" "$root/engine/pom.xml" "$root/engine/src/main" \
            "$root/$module/pom.xml" "$root/$module/src/main" -newer "$jar" -print -quit 2>/dev/null)" ]; then
        return 0
    fi
    if [ ! -x "$java_home/bin/javac" ]; then
        echo "vcnn: $java_home is a Java $required_java runtime without javac; building vcnn needs a full JDK $required_java." >&2
        return 1
    fi
    echo "vcnn: building ${jar#"$root"/} with $java_home (tests skipped; the first build downloads Maven and plugins)..." >&2
    if ! log="$(JAVA_HOME="$java_home" "$root/mvnw" -q -B -f "$root/pom.xml" -pl "$module" -am -Dmaven.test.skip=true package 2>&1)"; then
        printf '%s\n' "$log" | tail -n 30 >&2
        echo "vcnn: the build failed (output above); './mvnw -pl $module -am package' shows it in full." >&2
        return 1
    fi
}

# sets jvm_flags to the JVM options every vcnn JVM that trains starts with (./vcnn, bench/seed-floor),
# whatever the network
vcnn_jvm_flags() {
    # the Vector API is an incubator module, so it must be added explicitly on every launch;
    # the serial collector starts fastest and is plenty for a single-threaded trainer; a small initial
    # heap that grows on demand keeps the seed job near 90 MB resident instead of 200 MB (the default
    # initial heap is 1/64 of the machine's memory, and young collections touch all of it)
    # -XX:CICompilerCount=3 gives C2 a second thread (two CPUs get one by default): the vector kernels are
    # slow until C2 has compiled them, and two compile side by side (seed job 1.84 -> 1.70 s)
    jvm_flags=(--add-modules=jdk.incubator.vector -XX:+UseSerialGC -Xms16m -XX:CICompilerCount=3)
    # and gets the kernels sooner: the compile thresholds of the kernel classes at 1/50 (C1 after 4
    # calls instead of 200, C2 after 100 instead of 5000), and the Vector API's at 20x, as C2 compiled
    # about a hundred of its methods on their own although they are only ever needed inlined (seed job
    # training 0.86-1.25 -> 0.56-0.81 s). With the default thresholds for its kernels the deep preset
    # took 2.8-3.3 s for its first 1,000 images, 1.0-1.2 s with these (full MNIST, 1 epoch, 2 threads:
    # 5.7-6.3 -> 3.3-3.7 s of training).
    # But a kernel that C2 compiles before the Vector API methods it inlines have type profiles can
    # get virtual calls in place of intrinsics, box every vector, and stay so for the whole run (vcnn
    # train --net deep allocated 1.1-1.4 GB/s). So the Vector API methods whose profiles the kernels
    # need keep their default thresholds: intoArray on an accumulator, gather and scatter (fromArray
    # and intoArray with an index map, IntVector, VectorIntrinsics' index checks), partial masks
    # (AbstractMask), blend; and the kernels that still boxed were rewritten without what they boxed
    # (filterLaneTaps' scatter, addChannelSums' blend and adds on its accumulator). See docs/performance.md
    jvm_flags+=(-XX:CompileCommand=quiet
        -XX:CompileCommand=CompileThresholdScaling,dev.vcnn.engine.kernels.*::*,0.02
        -XX:CompileCommand=CompileThresholdScaling,jdk.incubator.vector.*::*,20.0
        -XX:CompileCommand=CompileThresholdScaling,jdk.internal.vm.vector.*::*,20.0)
    # (the last command that names a method wins)
    local profiled
    for profiled in FloatVector::intoArray FloatVector::fromArray FloatVector::blend 'IntVector::*' \
        'VectorIntrinsics::*' 'AbstractMask::*'; do
        jvm_flags+=("-XX:CompileCommand=CompileThresholdScaling,jdk.incubator.vector.$profiled,1.0")
    done
    # C2 compiles a method twice when a long loop gets hot first (once "on stack" from inside the loop,
    # once whole): a 25x higher back-edge threshold for C2's on-stack compiles leaves only the whole ones
    # for the kernels (C2 compile time 0.93 -> 0.77 s; seed job wall 1.12 -> 0.99 s median of 5 alternating runs;
    # full MNIST 3 epochs 1.27 -> 1.22 s training). C1's on-stack compiles are untouched, so long loops
    # elsewhere (reading a data file) still leave the interpreter early
    jvm_flags+=(-XX:Tier4BackEdgeThreshold=1000000)
    # One set of options for every network lets every run use the start-up cache, which is made under them
}

# aot_cache JAVA JAR FLAGS... -- RUN...: sets aot_flags to the options that start JAR from an AOT cache
# (JDK 25's -XX:AOTCache: classes loaded and linked ahead of time, with method profiles), building the
# cache first, from a training run `java FLAGS... RUN...`, when it is missing or older than the jar. A
# cache only serves the same java and the same flags, so both are kept beside it (a checkout that
# pulls new options makes a new cache); any failure just means starting without it.
aot_cache() {
    local java="$1" jar="$2" cache="${2%.jar}.aot" tmp key cached_key=
    local -a flags=()
    shift 2
    while [ "$#" -gt 0 ] && [ "$1" != -- ]; do
        flags+=("$1")
        shift
    done
    [ "$#" -gt 0 ] && shift
    aot_flags=()
    key="$java ${flags[*]}"
    [ -f "$cache.key" ] && read -r cached_key < "$cache.key"
    if [ ! -f "$cache" ] || [ "$jar" -nt "$cache" ] || [ "$cached_key" != "$key" ]; then
        echo "vcnn: preparing a start-up cache for this build (once, a few seconds)..." >&2
        tmp="$cache.$$.tmp"
        if "$java" "${flags[@]}" -XX:AOTCacheOutput="$tmp" "$@" >/dev/null 2>&1 && [ -f "$tmp" ]; then
            mv -f "$tmp" "$cache" && printf '%s\n' "$key" > "$cache.key"
        else
            rm -f "$tmp" "$tmp.config"
            return 0
        fi
        rm -f "$tmp.config"
    fi
    # a cache that no longer matches (another JVM option, say) is skipped; its complaints are not the user's business
    aot_flags=("-XX:AOTCache=$cache" "-Xlog:aot*=off")
}
