#!/bin/sh
# Remakes test/tcp/goldens/*.txt from the shared corpus with tshark: for each capture, the
# distinct tcp.stream numbers of packets on port 1883, one per line (Wireshark's stream index).
#   usage: test/tcp/make-goldens.sh [corpus-dir]   (default ../shared/corpus)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
corpus=${1:-$here/../../../shared/corpus}
out=$here/goldens
mkdir -p "$out"
tail -n +2 "$corpus/MANIFEST.tsv" | cut -f1 | while read -r path; do
  name=$(printf '%s' "$path" | tr '/' '_')
  tshark -r "$corpus/$path" -T fields -e tcp.stream -Y 'tcp.port==1883' 2>/dev/null \
    | tr ',' '\n' | grep -v '^$' | sort -n -u > "$out/$name.txt" || true
done
tshark --version | head -1 > "$out/TSHARK_VERSION"
