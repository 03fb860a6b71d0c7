# Finds a JDK 21 or newer: JAVA_HOME first, then the usual install locations, then java on PATH.
# Source this file, then call find_java_home (prints the JDK's home, or fails).
MIN_JAVA=21

# The major version of a java binary (8 for 1.8.0_x, 21 for 21.0.2), or 0 when it does not run.
java_major() {
  local version
  version="$("$1" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)" || true
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
