# canarytokens: the English prose (messages move here from canarytokens.rs; see docs/providers.md, "Writing a provider's text").
