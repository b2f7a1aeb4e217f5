"""E-mail subscriptions to the public page: residents ask for (and confirm) e-mails about new
activities in an area or topic, or about one activity's outcome; events become one e-mail per
address in the outbox. `subscribe` holds what residents do, `notices` what the sweep queues,
`mails` the e-mails' words, `records` what `export` and `forget` need.
"""
