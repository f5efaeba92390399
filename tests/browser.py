"""Debian's Chromium, headless, as the browser tests start it (no network, a throwaway profile)."""

import shutil

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def chromium_command(profile, *extra: str) -> list:
    """The command line that starts headless Chromium with its own profile directory and nothing
    that reaches for the internet (background networking, component updates, sync)."""
    return [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        *extra,
    ]
