# shellcheck shell=bash
# Sourced by the install scripts: `apt_install_missing NAME PACKAGE...` installs what of PACKAGE... is not installed
# yet (apt-get update only then), waiting for another apt run's lock instead of failing.
apt_install_missing() {
  local name=$1 p
  shift
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    echo "$name: all $# packages present"
    return 0
  fi
  local t0=$SECONDS
  echo "$name: installing ${#missing[@]} packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  # -q (not -qq): apt's "Unpacking/Setting up" lines show the progress of a first install (several minutes).
  local rc=0
  apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}" 2>&1 |
    grep --line-buffered -E '^(Need to get|Setting up|E:|W:)' || true
  rc=${PIPESTATUS[0]}
  [ "$rc" -eq 0 ] || { echo "$name: apt-get install failed ($rc)" >&2; return "$rc"; }
  echo "$name: installed in $((SECONDS - t0)) s"
}
