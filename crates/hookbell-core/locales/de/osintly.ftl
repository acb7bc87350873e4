# osintly: the German prose (messages move here from osintly.rs; see docs/providers.md, "Writing a provider's text").
