"""Loads Jing'an's 14 sub-districts and creates the role groups (permissions: services.registry.roles)."""

from django.db import migrations

# (code, Chinese name, English name), from the district's administrative division codes.
STREETS = [
    ("310106006", "江宁路街道", "Jiangning Road Subdistrict"),
    ("310106011", "石门二路街道", "Shimen Second Road Subdistrict"),
    ("310106012", "南京西路街道", "West Nanjing Road Subdistrict"),
    ("310106013", "静安寺街道", "Jing'an Temple Subdistrict"),
    ("310106014", "曹家渡街道", "Caojiadu Subdistrict"),
    ("310106015", "天目西路街道", "West Tianmu Road Subdistrict"),
    ("310106016", "北站街道", "Beizhan Subdistrict"),
    ("310106017", "宝山路街道", "Baoshan Road Subdistrict"),
    ("310106018", "共和新路街道", "Gonghe Xin Road Subdistrict"),
    ("310106019", "大宁路街道", "Daning Road Subdistrict"),
    ("310106020", "彭浦新村街道", "Pengpu Xincun Subdistrict"),
    ("310106021", "临汾路街道", "Linfen Road Subdistrict"),
    ("310106022", "芷江西路街道", "West Zhijiang Road Subdistrict"),
    ("310106100", "彭浦镇", "Pengpu Town"),
]
ROLES = ["federation_staff", "committee_member", "volunteer", "auditor"]


def load(apps, schema_editor):
    Street = apps.get_model("services", "Street")
    Group = apps.get_model("auth", "Group")
    for code, name_zh, name_en in STREETS:
        Street.objects.update_or_create(code=code, defaults={"name_zh": name_zh, "name_en": name_en})
    for role in ROLES:
        Group.objects.get_or_create(name=role)


def unload(apps, schema_editor):
    apps.get_model("services", "Street").objects.filter(code__in=[s[0] for s in STREETS]).delete()
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [("services", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(load, unload)]
