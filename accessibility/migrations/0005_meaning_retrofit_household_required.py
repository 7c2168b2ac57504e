"""Every home retrofit has its household (filled by 0002, in a transaction of its own so PostgreSQL has no
pending foreign-key checks when the column becomes required)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accessibility", "0004_meaning_retrofit_household")]

    operations = [
        migrations.AlterField(
            model_name="retrofit",
            name="household",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="retrofits",
                to="services.household",
                verbose_name="household",
            ),
        ),
    ]
