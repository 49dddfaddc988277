"""The AWS CDK app that deploys Praat mee (see README, "Deploy to AWS")."""
