"""Every download the bot makes, through one size-limited core with one error family
(`core.DownloadFailed`): Slack files with the bot token (`slack`), and links from elsewhere, public
https only (`public`), which is also how images a compatible server answers with by URL are read."""
