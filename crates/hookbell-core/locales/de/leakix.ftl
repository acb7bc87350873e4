# leakix: the German prose (messages move here from leakix.rs; see docs/providers.md, "Writing a provider's text").
