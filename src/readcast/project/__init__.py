"""A readcast project on disk: readcast.toml settings, episode identities (state), scaffolding."""
