# Finds a JDK 21 or newer: JAVA_HOME first, then the usual install locations, then java on PATH.
# Source this file, then call find_java_home (prints the JDK's home, or fails).
MIN_JAVA=21

# The major version of a java binary (8 for 1.8.0_x, 21 for 21.0.2), or 0 when it does not run.
# Read from the `release` file every JDK since 9 has beside its bin/ (starting a JVM to ask costs
# ~0.1 s a JDK, and the launcher asks before each command); older or unusual layouts are asked.
java_major() {
  local version="" binary line
  binary="$1"
  [ -L "$binary" ] && binary="$(readlink -f "$binary" 2> /dev/null || echo "$binary")"
  if [ -x "$binary" ] && [ -f "${binary%/bin/*}/release" ]; then
    while IFS= read -r line; do
      if [[ "$line" =~ ^JAVA_VERSION=\"([^\"]*)\" ]]; then
        version="${BASH_REMATCH[1]}"
        break
      fi
    done < "${binary%/bin/*}/release"
  fi
  if [ -z "$version" ]; then
    version="$("$1" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)" || true
  fi
  [ -z "$version" ] && { echo 0; return; }
  if [[ "$version" == 1.* ]]; then
    version="${version#1.}"
  fi
  version="${version%%[.+-]*}"
  [[ "$version" =~ ^[0-9]+$ ]] && echo "$version" || echo 0
}

find_java_home() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ "$(java_major "$JAVA_HOME/bin/java")" -ge "$MIN_JAVA" ]; then
    echo "$JAVA_HOME"
    return
  fi
  local best="" best_major=0 candidate major
  shopt -s nullglob
  for candidate in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* \
      "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major="$(java_major "$candidate/bin/java")"
    if [ "$major" -ge "$MIN_JAVA" ] && [ "$major" -gt "$best_major" ]; then
      best="$candidate"
      best_major="$major"
    fi
  done
  shopt -u nullglob
  if [ -n "$best" ]; then
    echo "$best"
    return
  fi
  local on_path
  on_path="$(command -v java || true)"
  if [ -n "$on_path" ] && [ "$(java_major "$on_path")" -ge "$MIN_JAVA" ]; then
    # JAVA_HOME of the java on PATH: two levels above the real binary.
    on_path="$(readlink -f "$on_path" 2>/dev/null || echo "$on_path")"
    dirname "$(dirname "$on_path")"
    return
  fi
  return 1
}
