"""The guest's own page: no sign-in, opened by the stay's private link
(`reservations.guest_links`)."""
