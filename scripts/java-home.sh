# Finds a JDK 21 or newer: JAVA_HOME first, then the usual install locations, then java on PATH.
# Source this file, then call find_java_home (prints the JDK's home, or fails), or locate_java_home
# (the same into JAVA_HOME_FOUND and JAVA_MAJOR, without a subshell).
MIN_JAVA=21

# The major version of a java binary (8 for 1.8.0_x, 21 for 21.0.2), or 0 when it does not run.
# Read from the `release` file every JDK since 9 has beside its bin/ (starting a JVM to ask costs
# ~0.1 s a JDK, and the launcher asks before each command); older or unusual layouts are asked.
java_major() {
  java_major_of "$1"
  echo "$JAVA_MAJOR"
}

# As java_major, into JAVA_MAJOR instead of printed: no subshell, so no fork when the release file
# answers (a launcher asks for several JDKs before each command, and each fork costs milliseconds).
java_major_of() {
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
  if [[ "$version" == 1.* ]]; then
    version="${version#1.}"
  fi
  version="${version%%[.+-]*}"
  if [[ "$version" =~ ^[0-9]+$ ]]; then
    JAVA_MAJOR="$version"
  else
    JAVA_MAJOR=0
  fi
}

find_java_home() {
  locate_java_home || return 1
  echo "$JAVA_HOME_FOUND"
}

# As find_java_home, into JAVA_HOME_FOUND (and its major version into JAVA_MAJOR) instead of
# printed, without a subshell.
locate_java_home() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    java_major_of "$JAVA_HOME/bin/java"
    if [ "$JAVA_MAJOR" -ge "$MIN_JAVA" ]; then
      JAVA_HOME_FOUND="$JAVA_HOME"
      return
    fi
  fi
  local best="" best_major=0 candidate
  shopt -s nullglob
  for candidate in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* \
      "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    java_major_of "$candidate/bin/java"
    if [ "$JAVA_MAJOR" -ge "$MIN_JAVA" ] && [ "$JAVA_MAJOR" -gt "$best_major" ]; then
      best="$candidate"
      best_major="$JAVA_MAJOR"
    fi
  done
  shopt -u nullglob
  if [ -n "$best" ]; then
    JAVA_HOME_FOUND="$best"
    JAVA_MAJOR="$best_major"
    return
  fi
  local on_path
  on_path="$(command -v java || true)"
  if [ -n "$on_path" ]; then
    java_major_of "$on_path"
    if [ "$JAVA_MAJOR" -ge "$MIN_JAVA" ]; then
      # JAVA_HOME of the java on PATH: two levels above the real binary.
      on_path="$(readlink -f "$on_path" 2>/dev/null || echo "$on_path")"
      JAVA_HOME_FOUND="${on_path%/bin/*}"
      return
    fi
  fi
  return 1
}
