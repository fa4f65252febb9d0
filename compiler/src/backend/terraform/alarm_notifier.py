"""Turns CloudWatch alarm state changes into readable messages on the alarm's SNS topic."""

import json
import os

import boto3

SNS = boto3.client("sns")
TOPICS = json.loads(os.environ["TOPICS"])


def message(detail):
    state = detail["state"]
    previous = detail.get("previousState", {}).get("value", "unknown")
    lines = [
        f"Alarm {detail['alarmName']} is {state['value']} (was {previous}).",
        "",
        f"Why: {state.get('reason', 'no reason given')}",
        f"When: {state.get('timestamp', 'unknown')}",
    ]
    description = detail.get("configuration", {}).get("description")
    if description:
        lines.insert(1, f"What: {description}")
    return "\n".join(lines)


def handler(event, _context):
    detail = event["detail"]
    topic = TOPICS.get(detail["alarmName"])
    if topic is None:
        print(f"no topic for alarm {detail['alarmName']}")
        return
    subject = f"[{detail['state']['value']}] {detail['alarmName']}"[:100]
    SNS.publish(TopicArn=topic, Subject=subject, Message=message(detail))
