"""The TwiML language server (`twiml lsp`): diagnostics, completion, hover, code actions,
formatting, symbols, folding and go-to-definition for TwiML files and flow.toml, in any editor.

pygls is an optional extra (`pip install "twiml-toolkit[lsp]"`), imported only by `twiml lsp`
(`twiml.lsp.server`); the analysis itself (`twiml.lsp.analysis`) is plain Python over the grammar,
the parser and the validator, tested without a client.
"""
