# github: the English prose (messages move here from github.rs; see docs/providers.md, "Writing a provider's text").
