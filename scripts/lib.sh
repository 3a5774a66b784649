# Shared by the scripts: source it, do not run it.

# need_command COMMAND DEBIAN_PACKAGE [WHY]: install the package when the command is missing
# (as root, with apt-get); otherwise say what to install and fail.
need_command() {
  local command="$1" package="$2" why="${3:-}"
  command -v "$command" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing $package (Debian package)${why:+ for $why}" >&2
    if [ -z "${_apt_updated:-}" ]; then
      apt-get update -qq >/dev/null
      _apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package" >/dev/null
    command -v "$command" >/dev/null 2>&1 && return 0
  fi
  echo "$(basename "$0"): '$command' is needed${why:+ for $why}: install the Debian package $package" >&2
  return 1
}

# npm_ci DIR: install DIR's locked npm packages when missing or older than the lockfile.
npm_ci() {
  local dir="$1"
  if ! command -v npm >/dev/null 2>&1; then
    echo "$(basename "$0"): npm is needed for $dir (install Node.js)" >&2
    return 1
  fi
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules" ]; then
    echo "==> installing $dir's npm packages (npm ci)" >&2
    (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
  fi
}
