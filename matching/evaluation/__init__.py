"""Offline evaluation of the matching models: ranking metrics and the runners behind ``vocmatch evaluate``."""
