// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/mapwatch: one session per open file.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/seq_file.h>

#include "internal.h"

static int mapwatch_open(struct inode *inode, struct file *file)
{
	struct mapwatch_session *s = mapwatch_session_create();

	if (!s)
		return -ENOMEM;
	file->private_data = s;
	return nonseekable_open(inode, file);
}

static int mapwatch_release(struct inode *inode, struct file *file)
{
	mapwatch_session_destroy(file->private_data);
	return 0;
}

static long mapwatch_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	return mapwatch_session_ioctl(file->private_data, cmd, (void __user *)arg);
}

static int mapwatch_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mapwatch_session *s = file->private_data;
	struct mapwatch_ringset *rings = mapwatch_session_rings(s);

	if (!rings)
		return -ENODEV;
	return mapwatch_ringset_mmap(rings, vma);
}

static __poll_t mapwatch_poll(struct file *file, poll_table *wait)
{
	return mapwatch_session_poll(file->private_data, file, wait);
}

static ssize_t mapwatch_read(struct file *file, char __user *buf, size_t count, loff_t *ppos)
{
	return mapwatch_session_read(file->private_data, buf, count,
				     file->f_flags & O_NONBLOCK);
}

static void mapwatch_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct mapwatch_session *s = file->private_data;
	struct mapwatch_ringset *rings = mapwatch_session_rings(s);
	struct mapwatch_counters c = {};

	seq_printf(m, "mapwatch-abi:\t%u.%u\n", MAPWATCH_ABI_MAJOR, MAPWATCH_ABI_MINOR);
	seq_printf(m, "enabled:\t%d\n", READ_ONCE(s->enabled));
	if (!rings)
		return;
	mapwatch_ringset_counters(rings, MAPWATCH_ALL_CPUS, &c);
	seq_printf(m, "ring-pages:\t%u\n", rings->data_pages);
	seq_printf(m, "written:\t%llu\n", c.written);
	seq_printf(m, "lost:\t%llu\n", c.lost_full + c.lost_nested + c.lost_overwritten);
}

static const struct file_operations mapwatch_fops = {
	.owner		= THIS_MODULE,
	.open		= mapwatch_open,
	.release	= mapwatch_release,
	.unlocked_ioctl	= mapwatch_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= mapwatch_mmap,
	.poll		= mapwatch_poll,
	.read		= mapwatch_read,
	.show_fdinfo	= mapwatch_show_fdinfo,
};

static struct miscdevice mapwatch_misc = {
	.minor		= MISC_DYNAMIC_MINOR,
	.name		= "mapwatch",
	.fops		= &mapwatch_fops,
	.mode		= 0600,
};

static int __init mapwatch_init(void)
{
	int ret = mapwatch_genl_init();

	if (ret)
		return ret;
	ret = misc_register(&mapwatch_misc);
	if (ret)
		mapwatch_genl_exit();
	return ret;
}

static void __exit mapwatch_exit(void)
{
	misc_deregister(&mapwatch_misc);
	mapwatch_genl_exit();
	mapwatch_uprobe_guards_flush();
}

module_init(mapwatch_init);
module_exit(mapwatch_exit);

MODULE_AUTHOR("mapwatch developers");
MODULE_DESCRIPTION("Trace Go and JVM runtime maps and GC with uprobes and kprobes");
MODULE_LICENSE("GPL");
MODULE_VERSION(MAPWATCH_VERSION);
