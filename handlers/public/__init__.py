"""The public engagement page: the register's published entries as residents see them.

`entries` chooses and shapes what may be shown (published entries, public fields only),
`page` renders the HTML, `feed` the Atom feed, `opendata` the CSV and JSON. Nothing here
writes; `handlers/plans/register.py` publishes.
"""
