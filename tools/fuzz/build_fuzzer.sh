#!/usr/bin/env bash
# Builds a libFuzzer target with clang and ASan/UBSan, then runs it:
# tools/fuzz/scanner_vs_re2_fuzzer.cc (ScanGpt2 against the RE2 path), or
# with TARGET=tiktoken_vs_re2, tools/fuzz/tiktoken_vs_re2_fuzzer.cc (the
# cl100k and o200k scanners against theirs).
#
# Usage: tools/fuzz/build_fuzzer.sh [SECONDS] [-- extra libFuzzer flags]
#   SECONDS       how long to fuzz (default 60); 0 builds only
#   env JOBS=N    run N fuzzing processes in parallel (default 1)
#   env SAMPLES=DIR  seed texts (default tools/corpus/samples: the
#                    repository's stories, web and adversarial samples)
#   env TARGET=T  the target tools/fuzz/T_fuzzer.cc (default scanner_vs_re2)
#
# Everything goes under build-fuzz/: the binary, seed/ (the samples cut into
# small files, made once), corpus/ (what libFuzzer keeps; reused by later
# runs), gpt2.dict, artifacts/ (crash-* inputs on a difference) and log.txt;
# for another TARGET, its corpus/, dictionary, artifacts/ and log.txt go
# under build-fuzz/T/.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
out="$root/build-fuzz"
seconds="${1:-60}"
shift || true
if [[ "${1:-}" == "--" ]]; then shift; fi
jobs="${JOBS:-1}"
samples="${SAMPLES:-$root/tools/corpus/samples}"
target="${TARGET:-scanner_vs_re2}"
if [[ ! -f "$root/tools/fuzz/${target}_fuzzer.cc" ]]; then
  echo "no tools/fuzz/${target}_fuzzer.cc" >&2
  exit 2
fi
# Where this target's corpus, dictionary, artifacts and log go.
work="$out"
if [[ "$target" != scanner_vs_re2 ]]; then work="$out/$target"; fi

# --- toolchain (Debian 12: clang 14; -fsanitize=fuzzer needs compiler-rt's
# libclang_rt.fuzzer-x86_64.a from libclang-rt-14-dev).
have_fuzzer_runtime() {
  command -v clang++ > /dev/null || return 1
  local probe
  probe=$(mktemp -d)
  printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n' \
    > "$probe/p.cc"
  clang++ -fsanitize=fuzzer "$probe/p.cc" -o "$probe/p" > /dev/null 2>&1
  local rc=$?
  rm -rf "$probe"
  return $rc
}
if ! have_fuzzer_runtime; then
  echo "installing clang and the fuzzer runtime" >&2
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update
  "${sudo_cmd[@]}" apt-get install -y clang libclang-rt-14-dev libre2-dev \
    libxxhash-dev pkg-config
  have_fuzzer_runtime || { echo "clang -fsanitize=fuzzer still fails" >&2; exit 1; }
fi

# --- build
mkdir -p "$out"
sources=("$root"/src/text/*.cc "$root/src/util/status.cc"
         "$root/tools/fuzz/${target}_fuzzer.cc")
# shellcheck disable=SC2207
libs=($(pkg-config --cflags --libs re2 libxxhash))
echo "building $out/${target}_fuzzer" >&2
clang++ -std=c++20 -O1 -g -fno-omit-frame-pointer \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I"$root/include" -I"$root/src" \
  "${sources[@]}" "${libs[@]}" \
  -o "$out/${target}_fuzzer"

[[ "$seconds" == 0 ]] && exit 0

# --- seed corpus: each sample cut into pieces of 64..2048 bytes (at most
# 300 a sample), spread over the file.
seed="$out/seed"
if [[ ! -d "$seed" ]]; then
  mkdir -p "$seed"
  python3 - "$samples" "$seed" <<'EOF'
import os, random, sys
src, dst = sys.argv[1], sys.argv[2]
rng = random.Random(1)
for name in sorted(os.listdir(src)):
    data = open(os.path.join(src, name), "rb").read()
    for i in range(300):
        n = rng.choice([64, 256, 1024, 2048])
        at = rng.randrange(max(1, len(data) - n))
        with open(os.path.join(dst, "%s.%03d" % (name, i)), "wb") as f:
            f.write(data[at:at + n])
EOF
fi

# --- dictionary: the pieces the pattern's branches turn on.
mkdir -p "$work"
dict="$work/gpt2.dict"
if [[ "$target" == tiktoken_vs_re2 ]]; then dict="$work/tiktoken.dict"; fi
cat > "$dict" <<'EOF'
"'s"
"'t"
"'d"
"'m"
"'ll"
"'ve"
"'re"
"'"
" "
"  "
"\x09"
"\x0a"
"\x0b"
"\x0c"
"\x0d"
"\x1c"
"\x00"
"\xc2\x85"
"\xc2\xa0"
"\xe1\x9a\x80"
"\xe2\x80\x80"
"\xe2\x80\x8a"
"\xe2\x80\x8b"
"\xe2\x80\xa8"
"\xe2\x80\xa9"
"\xe2\x80\xaf"
"\xe2\x81\x9f"
"\xe3\x80\x80"
"\xef\xbb\xbf"
"\xef\xbf\xbd"
"\xcc\x81"
"\xc2\xb2"
"\xd9\xa3"
"\xe2\x85\xa7"
"\xe4\xb8\xad"
"\xf0\x9f\x98\x80"
"\xe1\xb2\x89"
"\xf0\x91\x8f\x80"
EOF
if [[ "$target" == tiktoken_vs_re2 ]]; then
  # cl100k and o200k also turn on case, marks, line breaks after
  # punctuation, '/', long s, digits of other scripts.
  cat >> "$dict" <<'EOF'
"'S"
"'LL"
"'Ve"
"'rE"
"'\xc5\xbf"
"\x0d\x0a"
"!\x0a"
"?\x0a/"
"/"
"://"
"A"
"HTTPServer"
"camelCase"
"\xc7\x85"
"\xca\xb0"
"\xe3\x83\xbc"
"\xcc\x88"
"\xe0\xa5\x8d"
"\xef\xb8\x8f"
"\xe2\x80\x9c"
"\xe3\x80\x82"
"1234"
"\xef\xbc\x93"
EOF
fi

mkdir -p "$work/corpus" "$work/artifacts"
echo "fuzzing for ${seconds}s with $jobs job(s); log in $work/log.txt" >&2
flags=(-max_total_time="$seconds" -max_len=4096 -timeout=10
       -dict="$dict" -artifact_prefix="$work/artifacts/"
       -print_final_stats=1)
if [[ "$jobs" -gt 1 ]]; then
  flags+=(-fork="$jobs")
fi
"$out/${target}_fuzzer" "${flags[@]}" "$@" "$work/corpus" "$seed" \
  2>&1 | tee "$work/log.txt"
