import json, time
from urllib.parse import urlencode
from tests.slack_harness import slack_bot, payload, REAL_PAYLOADS
from handlers.plans.people import assign
from models.db import transaction
from tests.conftest import SAM

def test_probe(blackpool):
    with transaction(blackpool.engine) as s:
        assign(s, "Community Engagement & Partnership Manager", email=SAM, chat={"slack": "U0SAM"})
    with slack_bot(blackpool) as bot:
        bot.event("app_home_opened", user="U0SAM")
        view = bot.slack.wait_for("views.publish")[0].params["view"]
        btn = [e for b in view["blocks"] for e in b.get("elements", []) if e.get("type") == "button"][0]
        blk = [b for b in view["blocks"] if btn in b.get("elements", [])][0]
        p = payload("block_actions_home", REAL_PAYLOADS, user="U0SAM", team="T0COUNCIL", action_id=btn["action_id"], block_id=blk["block_id"], label=btn["text"]["text"], value=btn["value"], action_ts=f"{time.time():.6f}")
        r = bot.post(urlencode({"payload": json.dumps(p)}), "application/x-www-form-urlencoded")
        print(r.status_code, r.text)
        time.sleep(2)
        print([ (c.method, str(c.params)[:300]) for c in bot.slack.calls])
