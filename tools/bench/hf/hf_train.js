#!/usr/bin/env node
// Train a byte-level BPE tokenizer with the npm `tokenizers` package (Rust
// core) on FILE..., so that bench_hf.py can time its "Pre-processing files"
// phase: read the files line by line, pretokenize each line with the
// ByteLevel pretokenizer (GPT-2 regex), count the distinct pretokens.
//
//   node hf_train.js [--prefix-space] FILE...
//
// The Node binding's Tokenizer.train(files) takes no trainer options: it uses
// the model's default BpeTrainer (vocab_size 30000, min_frequency 0,
// show_progress true). The progress bars (one per phase) are drawn on stderr
// only when stderr is a terminal, so bench_hf.py runs this under a pty and
// timestamps the phase boundaries as they are drawn.
//
// Prints to stdout one line `HFBENCH call <epoch ms>` just before train(),
// and after it `HFBENCH done {json}`.
'use strict'
const { Tokenizer, BPE, byteLevelPreTokenizer } = require('tokenizers')

const args = process.argv.slice(2)
let prefixSpace = false
const files = []
for (const a of args) {
  if (a === '--prefix-space') prefixSpace = true
  else if (a === '-h' || a === '--help') {
    console.log('usage: node hf_train.js [--prefix-space] FILE...')
    process.exit(0)
  } else files.push(a)
}
if (files.length === 0) {
  console.error('usage: node hf_train.js [--prefix-space] FILE...')
  process.exit(2)
}

const tok = new Tokenizer(BPE.empty())
// addPrefixSpace=false: GPT-2 does not prepend a space (HF's default is true,
// which would prepend one to every line). useRegex=true: the GPT-2 pattern.
tok.setPreTokenizer(byteLevelPreTokenizer(prefixSpace, true))

process.stdout.write(`HFBENCH call ${Date.now()}\n`)
const t0 = process.hrtime.bigint()
tok.train(files)
const t1 = process.hrtime.bigint()
const out = {
  train_seconds: Number(t1 - t0) / 1e9,
  vocab_size: tok.getVocabSize(),
  rayon_num_threads: process.env.RAYON_NUM_THREADS || null,
  tokenizers_parallelism: process.env.TOKENIZERS_PARALLELISM || null,
  prefix_space: prefixSpace,
}
process.stdout.write(`HFBENCH done ${JSON.stringify(out)}\n`)
