# gitguardian: the German prose (messages move here from gitguardian.rs; see docs/providers.md, "Writing a provider's text").
