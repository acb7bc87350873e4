# generic: the German prose (messages move here from generic.rs; see docs/providers.md, "Writing a provider's text").

# The title of a delivery that has no title-like member. $source: the source's id.
generic-title-delivery = Zustellung an { $source }
