#!/usr/bin/env node
// Loads the tokenizer files that `pretok-db train-bpe` wrote into DIR with
// Hugging Face tokenizers (tokenizer.json) and tiktoken (tokenizer.tiktoken
// and tiktoken.json), and reports what each library makes of some texts, so
// that tests/e2e/test_tokenizer_files.py can check it:
//
//   node load_tokenizer_files.js DIR REQUEST.json OUT.json
//
// REQUEST.json: {"texts": {NAME: TEXT, ...}, "documents": {NAME: [TEXT, ...]}}
// OUT.json: {
//   "versions": {"node": ..., "tokenizers": ..., "tiktoken": ...},
//   "texts": {NAME: {"hf_ids", "tiktoken_ids", "hf_decoded", "tiktoken_decoded"}},
//   "pretokens": {NAME: [[PRETOKEN, ...] per document]}   // HF's pre-tokenizer,
//        // byte-level strings (GPT-2's alphabet) as tokenizer.json holds them
//   "special_tokens": {TOKEN: {"hf": id, "tiktoken": id}},
//   "added_tokens_only": {TOKEN: {"id", "model_token"}}   // the same tokenizer.json
//        // with the special tokens left out of the model's vocab: the id the
//        // loader gives each, and the model's own token at that id
// }
// Any failure to load or run is printed on stderr and the exit status is 1.
'use strict'
const fs = require('fs')
const path = require('path')
const { Tokenizer } = require('tokenizers')
// The "lite" build: no OpenAI encodings bundled, only the Tiktoken class.
const { Tiktoken } = require('tiktoken/lite')

// (tiktoken's package.json is not among the paths its "exports" lets
// require() reach.)
function packageVersion (name) {
  const file = path.join(path.dirname(require.resolve(name)), 'package.json')
  return JSON.parse(fs.readFileSync(file, 'utf8')).version
}

async function main () {
  const [dir, requestPath, outPath] = process.argv.slice(2)
  if (!outPath) {
    console.error('usage: node load_tokenizer_files.js DIR REQUEST.json OUT.json')
    process.exit(2)
  }
  const request = JSON.parse(fs.readFileSync(requestPath, 'utf8'))
  const tokenizerJson = fs.readFileSync(path.join(dir, 'tokenizer.json'), 'utf8')
  const hf = Tokenizer.fromString(tokenizerJson)
  const spec = JSON.parse(fs.readFileSync(path.join(dir, 'tiktoken.json'), 'utf8'))
  const ranks = fs.readFileSync(path.join(dir, 'tokenizer.tiktoken'), 'utf8')
  const tt = new Tiktoken(ranks, spec.special_tokens, spec.pat_str)
  // ignoreBOM: a text that starts with U+FEFF keeps it (the default drops it).
  const utf8 = new TextDecoder('utf-8', { ignoreBOM: true })

  const out = {
    versions: {
      node: process.versions.node,
      tokenizers: packageVersion('tokenizers'),
      tiktoken: packageVersion('tiktoken')
    },
    texts: {},
    pretokens: {},
    special_tokens: {},
    added_tokens_only: {}
  }
  for (const [name, text] of Object.entries(request.texts || {})) {
    const hfIds = (await hf.encode(text)).getIds()
    // 'all': special tokens in the text are encoded as such (tiktoken's
    // default refuses them), as Hugging Face's added tokens are.
    const ttIds = Array.from(tt.encode(text, 'all'))
    out.texts[name] = {
      hf_ids: hfIds,
      tiktoken_ids: ttIds,
      hf_decoded: await hf.decode(hfIds, false),
      tiktoken_decoded: utf8.decode(tt.decode(Uint32Array.from(ttIds)))
    }
  }
  const pre = hf.getPreTokenizer()
  for (const [name, docs] of Object.entries(request.documents || {})) {
    out.pretokens[name] = docs.map(d => pre.preTokenizeString(d).map(([piece]) => piece))
  }
  for (const token of Object.keys(spec.special_tokens)) {
    out.special_tokens[token] = { hf: hf.tokenToId(token), tiktoken: spec.special_tokens[token] }
  }
  // What the loader does with special tokens that only added_tokens holds.
  const withoutSpecials = JSON.parse(tokenizerJson)
  for (const t of withoutSpecials.added_tokens) delete withoutSpecials.model.vocab[t.content]
  const hf2 = Tokenizer.fromString(JSON.stringify(withoutSpecials))
  const modelTokens = {}
  for (const [token, id] of Object.entries(withoutSpecials.model.vocab)) modelTokens[id] = token
  for (const t of withoutSpecials.added_tokens) {
    const id = hf2.tokenToId(t.content)
    out.added_tokens_only[t.content] = { id, model_token: modelTokens[id] ?? null }
  }
  tt.free()
  fs.writeFileSync(outPath, JSON.stringify(out))
}

main().catch(e => {
  console.error(e && e.stack ? e.stack : String(e))
  process.exit(1)
})
