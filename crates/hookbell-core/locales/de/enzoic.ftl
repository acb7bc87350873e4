# enzoic: the German prose (messages move here from enzoic.rs; see docs/providers.md, "Writing a provider's text").
