#!/usr/bin/env bash
# Checks what tcplab needs on this machine and prints the fix for anything missing.
#
# usage: experiments/scripts/prereqs.sh [--install] [--tests] [--matrix] [--remote]
#   --install   as root on a Debian-like system, apt-get install what is missing
#               (apt-get update runs once first); without it, only check.
#   --tests     also what `make test` needs: Chromium, which renders the HTML reports, and --matrix's
#   --matrix    also what guest kernels need (make run-matrix): QEMU and a static busybox
#   --remote    also what a two-machine run needs here (make run-profile REMOTE=...): the OpenSSH client
#               (--tests adds the OpenSSH server, which the two-machine tests run in a namespace of their own)
# example: sudo experiments/scripts/prereqs.sh --install
set -uo pipefail

install=0
tests=0
matrix=0
remote=0
for arg in "$@"; do
  case "$arg" in
    --install) install=1 ;;
    --tests) tests=1; matrix=1; remote=1 ;;
    --matrix) matrix=1 ;;
    --remote) remote=1 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "prereqs.sh: unknown option '$arg' (fix: use --install, --tests, --matrix, --remote or nothing)" >&2; exit 2 ;;
  esac
done

PATH="$PATH:/usr/sbin:/sbin"
missing_pkgs=()
problems=()

need() { # command package why
  if ! command -v "$1" >/dev/null 2>&1; then
    missing_pkgs+=("$2")
    problems+=("'$1' is missing ($3): apt-get install $2")
  fi
}

java_major() {
  "$1" -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit}'
}

need java openjdk-17-jdk-headless "runs tcplab and the benchmarks"
need javac openjdk-17-jdk-headless "builds tcplab"
need mvn maven "builds tcplab; fetches its dependencies from Maven Central"
need ip iproute2 "creates the lab's veth pair and addresses"
need unshare util-linux "creates the lab's namespaces"
need nsenter util-linux "runs the server and benchmarks inside the lab's hosts"
need setpriv util-linux "ties the lab's life to tcplab's"
need prlimit util-linux "gives the close-wait-leak server its small descriptor limit"
need nft nftables "drops packets inside the lab's server host for the timeout experiments"
need tcpdump tcpdump "captures the packets of the ladder figures, inside the lab's hosts only"
need make make "runs the targets"
if ((tests)); then
  need chromium chromium "renders the HTML reports in the tests, headless"
fi
if ((remote)); then
  need ssh openssh-client "drives the server machine of a two-machine run (your own ssh, config and keys)"
fi
if ((tests)); then
  # the two-machine tests start their own sshd in a namespace; on a machine with systemd the package also starts one on port 22
  need sshd openssh-server "the two-machine tests' server machine, a namespace running a real sshd"
  need ssh-keygen openssh-client "makes the two-machine tests' throwaway keys"
fi
if ((matrix)); then
  need qemu-system-x86_64 qemu-system-x86 "boots the guest kernels of make run-matrix"
  need apt-get apt "fetches the guest kernels (Debian's linux-image-* packages)"
  need dpkg-deb dpkg "unpacks the guest kernels"
  # the guest's initramfs has no C library: its busybox must be the static one
  linked=$(LC_ALL=C ldd /bin/busybox 2>&1)
  if [[ ! -x /bin/busybox || "$linked" != *"not a dynamic executable"* ]]; then
    missing_pkgs+=(busybox-static)
    problems+=("/bin/busybox is missing or not static (the guests' initramfs runs it): apt-get install busybox-static")
  fi
fi

if command -v java >/dev/null 2>&1; then
  major=$(java_major java)
  if [[ -z "$major" || "$major" -lt 17 ]]; then
    missing_pkgs+=(openjdk-17-jdk-headless)
    problems+=("java is version ${major:-unknown}, tcplab needs 17 or newer: apt-get install openjdk-17-jdk-headless (and select it with update-alternatives or JAVA_HOME)")
  fi
fi

if ((${#missing_pkgs[@]})) && ((install)); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
    mapfile -t unique < <(printf '%s\n' "${missing_pkgs[@]}" | sort -u)
    echo "prereqs: installing ${unique[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if apt-get update -q && apt-get install -y -q --no-install-recommends "${unique[@]}"; then
      exec "$0" $( ((tests)) && echo --tests ) $( ((matrix)) && echo --matrix ) $( ((remote)) && echo --remote )   # check again, without installing
    fi
    echo "prereqs: apt-get failed; install ${unique[*]} by hand" >&2
    exit 1
  fi
  echo "prereqs: cannot install without root and apt-get; do it by hand:" >&2
fi

if ((${#problems[@]})); then
  for p in "${problems[@]}"; do echo "prereqs: $p" >&2; done
  echo "prereqs: or run: sudo experiments/scripts/prereqs.sh --install" >&2
  exit 1
fi

# Room for the build (Maven's dependencies, the jars) and a run's reports.
here="$(cd "$(dirname "$0")/../.." && pwd)"
free_mb=$(df -Pm "$here" 2>/dev/null | awk 'NR == 2 {print $4}')
if [[ -n "$free_mb" && "$free_mb" -lt 500 ]]; then
  echo "prereqs: only ${free_mb} MB free in $here; the build and a run's reports need about 500 MB (fix: free some space, or clone tcplab where there is room)" >&2
  exit 1
fi
if [[ ! -w "$here" ]]; then
  echo "prereqs: $here is not writable for this user; the build and reports/ go there (fix: clone tcplab into a folder you own)" >&2
  exit 1
fi

# Namespaces: root, or unprivileged user namespaces.
if [[ $(id -u) -ne 0 ]] && ! unshare --user --map-root-user --net true 2>/dev/null; then
  echo "prereqs: this kernel does not let an ordinary user create namespaces (fix: run as root, e.g. sudo make run-profile," \
       "or allow unprivileged user namespaces: sysctl -w kernel.unprivileged_userns_clone=1 on Debian," \
       "kernel.apparmor_restrict_unprivileged_userns=0 on Ubuntu 23.10+)" >&2
  exit 1
fi
exit 0
