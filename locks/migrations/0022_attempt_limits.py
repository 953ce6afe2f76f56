# API key failures, keypad tries and PIN reveals counted in one table. The API key failures'
# rows are not carried over: each counts at most 5 minutes, so a restart of the count is harmless.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('locks', '0021_audit_log'),
    ]

    operations = [
        migrations.DeleteModel(name='ApiKeyFailure'),
        migrations.CreateModel(
            name='AttemptWindow',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=20)),
                ('subject', models.CharField(max_length=64)),
                ('window_start', models.DateTimeField(db_index=True)),
                ('count', models.PositiveIntegerField(default=1)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('kind', 'subject'), name='attempt_window_per_subject')],
            },
        ),
    ]
