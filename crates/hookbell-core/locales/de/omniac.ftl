# omniac: the German prose (messages move here from omniac.rs; see docs/providers.md, "Writing a provider's text").
