"""Every write goes through a service: typed, keyword-only, transactional."""
