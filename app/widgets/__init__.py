"""One widget per module, named for its class (alert_banner.py → AlertBanner)."""
