# generic: the English prose (messages move here from generic.rs; see docs/providers.md, "Writing a provider's text").
