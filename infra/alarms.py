"""The alarms: errors, throttles and failed mails of the functions, and the table's errors, to one topic.
A module of its own beside `concerns.py`, in the same style."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

# The operations the functions call (an alarm's math expression takes at most ten metrics).
TABLE_OPERATIONS = [
    dynamodb.Operation.GET_ITEM,
    dynamodb.Operation.BATCH_GET_ITEM,
    dynamodb.Operation.QUERY,
    dynamodb.Operation.SCAN,
    dynamodb.Operation.PUT_ITEM,
    dynamodb.Operation.UPDATE_ITEM,
    dynamodb.Operation.DELETE_ITEM,
    dynamodb.Operation.TRANSACT_WRITE_ITEMS,
]


class Alarms(Construct):
    """Errors and throttles of every function, DynamoDB system errors: dimensions are resource names only."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        functions: dict[str, lambda_.Function],
        table: dynamodb.Table,
        email: str | None,
    ) -> None:
        super().__init__(scope, id)
        self.topic = sns.Topic(self, "Topic", display_name="Praat mee alarms", enforce_ssl=True)
        if email:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))
        action = cloudwatch_actions.SnsAction(self.topic)
        period = cdk.Duration.minutes(5)
        metrics: dict[str, cloudwatch.IMetric] = {
            "TableSystemErrors": table.metric_system_errors_for_operations(
                operations=TABLE_OPERATIONS, period=period
            ),
        }
        for name, function in functions.items():
            metrics[f"{name}Errors"] = function.metric_errors(period=period)
            metrics[f"{name}Throttles"] = function.metric_throttles(period=period)
        for name, metric in metrics.items():
            alarm = cloudwatch.Alarm(
                self,
                name,
                metric=metric,
                threshold=1,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                alarm_description=f"Praat mee: {name}",
            )
            alarm.add_alarm_action(action)
