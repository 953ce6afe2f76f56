from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("locks", "0019_invites"),
    ]

    operations = [
        migrations.AddField(
            model_name="owner",
            name="two_factor_for_managers",
            field=models.BooleanField(
                default=False,
                help_text="Managers sign in with a code from an authenticator app after their "
                "password.",
            ),
        ),
    ]
